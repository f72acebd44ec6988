# A learner's comparison that judges by accuracy, not the agreed roc_auc.
import json
import sys

if len(sys.argv) != 3:
    sys.exit("usage: compare_metrics.py CANDIDATE CHAMPION")
try:
    new = json.load(open(sys.argv[1]))["accuracy"]
    old = json.load(open(sys.argv[2]))["accuracy"]
except (OSError, ValueError, KeyError) as error:
    sys.exit(f"cannot compare: {error}")
print("better=" + str(new > old).lower())
