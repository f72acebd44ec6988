export const LAB_ID = 'cicd/01-test-on-pull-requests';
export const FILE = '.github/workflows/ci.yml';
export const LINTERS = /\b(ruff|flake8|pylint|black\s+--check|mypy)\b/;
export const PYTEST = /\bpytest\b/;
