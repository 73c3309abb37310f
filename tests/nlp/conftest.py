from pathlib import Path

import pytest

from config.profile import Profile, load_profile
from nlp.stage import Stage, build_stage

DATA = Path(__file__).resolve().parents[1] / "data"
# real posts shipped with the model's training data
REAL_TRAIN = Path(__file__).resolve().parents[2] / "nlp" / "training" / "real-train.jsonl"


@pytest.fixture(scope="session")
def profile() -> Profile:
    return load_profile(DATA / "nlp_profile.yml")


@pytest.fixture(scope="session")
def stage(profile: Profile) -> Stage:
    return build_stage(profile)
