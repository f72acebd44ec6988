from capstone import train


def test_features_are_the_contracts_thirteen():
    assert len(train.NUMERIC + train.CATEGORICAL) == 13
