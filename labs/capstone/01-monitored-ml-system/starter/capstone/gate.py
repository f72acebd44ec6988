"""`python -m capstone.gate`: promote CANDIDATE_VERSION (default: the newest) to champion when it is at least as good.

Compare the metric f1 of the candidate's run with the champion's. No champion, or candidate >= champion: point the
`champion` alias at the candidate and exit 0. Otherwise leave the alias alone and exit 1. Read the runs' metrics only:
a candidate may have no artifacts.
"""

import sys


def main() -> int:
    raise NotImplementedError("write the gate (see the instructions, M2)")


if __name__ == "__main__":
    sys.exit(main())
