"""`python -m capstone.rollback`: point champion back at the previous champion, then roll the Deployment back (M7).

Exit non-zero, changing nothing, when there is no earlier champion. Then run
`kubectl rollout undo deployment/$KUBE_DEPLOYMENT -n $KUBE_NAMESPACE`.
"""

import sys


def main() -> int:
    raise NotImplementedError("write the rollback (see the instructions, M7)")


if __name__ == "__main__":
    sys.exit(main())
