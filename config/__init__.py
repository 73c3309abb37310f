"""Configuration shared by every stage: the library profile and the environment."""
