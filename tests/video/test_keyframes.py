import numpy as np
import pytest

from multistyle.video import keyframes

NAMES = ["starry_night", "great_wave", "composition_vii"]
SPEC = "0:starry_night; 4.5:great_wave; 9:starry_night=0.5,great_wave=0.5"


def test_parses_names_and_mixes_sorted_by_time():
    frames = keyframes.parse("9:1=1,2=3;0:starry_night;4.5:great_wave", NAMES)

    assert [k.time for k in frames] == [0.0, 4.5, 9.0]
    np.testing.assert_allclose(frames[0].weights, [1, 0, 0])
    np.testing.assert_allclose(frames[1].weights, [0, 1, 0])
    np.testing.assert_allclose(frames[2].weights, [0, 0.25, 0.75])


def test_keyframe_times_give_their_exact_mix():
    frames = keyframes.parse(SPEC, NAMES)

    for frame in frames:
        np.testing.assert_array_equal(
            keyframes.weights_at(frames, frame.time), frame.weights)


def test_weights_hold_outside_and_ease_between_keyframes():
    frames = keyframes.parse("1:starry_night;3:great_wave", NAMES)

    np.testing.assert_array_equal(keyframes.weights_at(frames, 0.0),
                                  [1, 0, 0])
    np.testing.assert_array_equal(keyframes.weights_at(frames, 7.0),
                                  [0, 1, 0])
    np.testing.assert_allclose(keyframes.weights_at(frames, 2.0),
                               [0.5, 0.5, 0])
    quarter = keyframes.smoothstep(0.25)  # 0.15625: a gentle start.
    np.testing.assert_allclose(keyframes.weights_at(frames, 1.5),
                               [1 - quarter, quarter, 0])
    assert quarter < 0.25


@pytest.mark.parametrize("spec,message", [
    ("", "No keyframes"),
    ("starry_night", "must be TIME:MIX"),
    ("0:", "must be TIME:MIX"),
    ("soon:starry_night", "time must be a number"),
    ("-1:starry_night", "time must be a number"),
    ("0:starry_nite", "Keyframe '0:starry_nite'.*Did you mean 'starry_night'"),
    ("0:starry_night=-1", "Keyframe.*>= 0"),
    ("1:starry_night;1.0:great_wave", "Two keyframes at 1 s"),
])
def test_rejects_bad_keyframes_with_clear_message(spec, message):
    with pytest.raises(ValueError, match=message):
        keyframes.parse(spec, NAMES)
