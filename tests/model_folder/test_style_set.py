import pytest

from multistyle.model_folder import style_set
from tests.conftest import TEST_STYLE_NAMES


def _styles():
    return [style_set.Style(name) for name in TEST_STYLE_NAMES]


@pytest.mark.parametrize("path,name", [
    ("paintings/Starry Night.jpg", "starry_night"),
    ("The-Great  Wave (1831).PNG", "the_great_wave_1831"),
    ("!!!.jpg", "style"),
])
def test_style_names_come_from_file_names(path, name):
    assert style_set.style_name(path) == name


def test_styles_from_files_record_absolute_sources(tmp_path):
    styles = style_set.styles_from_files([str(tmp_path / "a.jpg")])
    assert styles == [style_set.Style("a", str(tmp_path / "a.jpg"))]


def test_files_mapping_to_one_name_are_refused():
    with pytest.raises(ValueError, match=r"same name\(s\) \['starry_night'\]"):
        style_set.styles_from_files(["x/Starry Night.jpg",
                                     "y/starry_night.png"])


@pytest.mark.parametrize("text,expected", [
    ("3", True), (" -1 ", True), ("great_wave", False), ("3b", False)])
def test_digits_are_an_index_not_a_name(text, expected):
    assert style_set.is_index(text) is expected


@pytest.mark.parametrize("name", ["12", "gogh=1", "a,b", "", "two words"])
def test_names_that_cannot_be_typed_in_a_mix_are_refused(name):
    with pytest.raises(ValueError, match="style name"):
        style_set.check_style_name(name)


@pytest.mark.parametrize("name", ["gogh", "v2.1", "great-wave", "_x"])
def test_names_of_letters_digits_and_marks_are_accepted(name):
    style_set.check_style_name(name)


def test_names_can_be_swapped():
    renamed = style_set.rename_styles(
        _styles(), {"starry_night": "great_wave", "great_wave": "starry_night"})
    assert style_set.names(renamed) == ["great_wave", "starry_night",
                                        "composition_vii"]


def test_renaming_returns_a_copy():
    styles = _styles()
    style_set.rename_styles(styles, {"starry_night": "gogh"})
    assert style_set.names(styles) == list(TEST_STYLE_NAMES)


@pytest.mark.parametrize("renames,message", [
    ({"the_scream": "scream"}, "unknown style"),
    ({"starry_night": "great_wave"}, "already has a style named great_wave"),
    ({"starry_night": "Great_Wave"}, "already has a style"),
    ({"starry_night": "12"}, "only digits"),
    ({"starry_night": "gogh=1"}, "gogh=1"),
])
def test_bad_rename_is_refused(renames, message):
    with pytest.raises(ValueError, match=message):
        style_set.rename_styles(_styles(), renames)


@pytest.mark.parametrize("entries", [["gogh"], ["a:b", "a:c"], [":b"]])
def test_malformed_rename_pairs_are_refused(entries):
    with pytest.raises(ValueError, match="old:new|twice"):
        style_set.parse_renames(entries)


def test_rename_pairs_are_parsed_and_stripped():
    assert style_set.parse_renames([" a : b ", "c:d"]) == {"a": "b",
                                                           "c": "d"}


def test_new_names_clashing_with_taken_ones_are_refused_ignoring_case():
    with pytest.raises(ValueError, match=r"already has style\(s\) named "
                                         r"\['Great_Wave'\]"):
        style_set.check_no_clashes(TEST_STYLE_NAMES,
                                   [style_set.Style("Great_Wave")])


def test_unknown_names_are_listed_with_the_known_ones():
    with pytest.raises(ValueError, match="the_scream.*starry_night"):
        style_set.check_known(_styles(), ["the_scream"], "remove")
