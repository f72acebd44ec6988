#!/usr/bin/env bash
# Starts this lab's MLflow tracking server in the foreground (Ctrl-C stops it).
# Run it from the workspace folder, in a terminal of its own: bash start-server.sh
#
# TODO: as it stands, nothing says where runs and artifacts go. Give the server
#   - a database backend store (a SQLite file in this folder: sqlite:///mlflow.db)
#   - an artifact root (a folder in this workspace: ./mlartifacts)
# The instructions have the exact flags.
exec mlflow server --host 127.0.0.1 --port 5000
