"""A fictional library network's profile and sample stream, for the demo and the tests."""
