"""Planner front end: CLI, configuration, pipeline. The only package that knows argv, files and paths."""
