export const LAB_ID = 'cicd/04-hardened-workflow';
export const FILE = '.github/workflows/pr.yml';

/** Context values an outsider controls (a pull request's title, a branch name, a comment…). */
export const UNTRUSTED =
  /\$\{\{[^}]*\b(github\.event\.(pull_request|issue|comment|review|review_comment|discussion|head_commit|commits|pages|workflow_run)\b[\w.[\]*-]*\.(title|body|message|name|email|label|ref|head_ref|default_branch|page_name)\b|github\.head_ref\b)[^}]*\}\}/;

/** A checkout `ref:` that points at the pull request's own code. */
export const PR_HEAD_REF =
  /github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs\/pull\/|github\.event\.workflow_run\.head_(sha|branch)/;
