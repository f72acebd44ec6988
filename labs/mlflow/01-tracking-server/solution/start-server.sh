#!/usr/bin/env bash
# Starts this lab's MLflow tracking server in the foreground (Ctrl-C stops it).
# Run it from the workspace folder, in a terminal of its own: bash start-server.sh
#
# Runs, params and metrics go to a SQLite database (mlflow.db); artifacts and
# models go to ./mlartifacts. Change --port (and MLFLOW_TRACKING_URI in
# lab.env) if 5000 is taken.
exec mlflow server \
  --backend-store-uri sqlite:///mlflow.db \
  --default-artifact-root ./mlartifacts \
  --host 127.0.0.1 \
  --port 5000
