"""Test support: a recording platform and ways to build a core without a network."""
