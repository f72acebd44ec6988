"""`python -m capstone.train`: train on data/adult.csv.gz, write $OUTPUT_DIR/metrics.json, log and register in MLflow.

M1: load the data, split it (seeded, stratified: train / validation / test), fit, measure on the test split,
write the model and metrics.json ({"precision", "recall", "f1", "roc_auc", "seed",
"rows": {"train", "validation", "test"}, "dataset_sha256"}).
M2: log one MLflow run (params with the seed, the four metrics, the model files as artifacts) and register a new
version of MODEL_NAME from it.
"""

import sys

from capstone import config


def main() -> int:
    print(f"training on {config.DATA_PATH} with seed {config.SEED} into {config.OUTPUT_DIR}", file=sys.stderr)
    raise NotImplementedError("write the training (see the instructions, M1 and M2)")


if __name__ == "__main__":
    sys.exit(main())
