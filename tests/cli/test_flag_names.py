from multistyle.cli import flag_names


def test_backticked_and_received_arguments_become_flags():
    assert flag_names.to_flags(
        "`strength` must be between 0 and 1. Received: strength=2",
        {"strength"}) == (
        "--strength must be between 0 and 1. Received: --strength=2")


def test_arguments_carried_by_another_flag_take_its_name():
    assert flag_names.to_flags("`output_dir` exists", {"output"}) == (
        "--output exists")


def test_a_flag_of_the_arguments_own_name_wins_over_the_table():
    assert flag_names.to_flags("`model_dir` holds a run",
                               {"model_dir", "model"}) == (
        "--model_dir holds a run")


def test_names_that_are_no_flags_of_the_tool_stay():
    message = "`alpha` is wrong. Received: starry_night=0.5"
    assert flag_names.to_flags(message, {"model"}) == message


def test_help_texts_show_every_backticked_name_as_a_flag():
    assert flag_names.help_text("a multiple of `num_steps`") == (
        "a multiple of --num_steps")
