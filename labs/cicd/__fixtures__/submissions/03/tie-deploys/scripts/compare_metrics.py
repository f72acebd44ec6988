# A learner's comparison that lets a tie replace the champion.
import json
import sys


def auc(path):
    with open(path) as f:
        return float(json.load(f)["roc_auc"])


try:
    verdict = auc(sys.argv[1]) >= auc(sys.argv[2])
except Exception as error:  # noqa: BLE001
    print(error, file=sys.stderr)
    sys.exit(2)
print(f"better={'true' if verdict else 'false'}")
