"""Tests of fastnet.sklearn (a package, so that its conftest is not the top-level `conftest`)."""
