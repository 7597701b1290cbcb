def test_pipeline_runs() -> None:
    # TODO: write this test before the hand-over
    assert True
