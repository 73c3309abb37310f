"""Tests of the sample stream and its generator."""
