"""LLM applications: prompts kept out of code, evaluation gates, guardrails, tracing, pinned
model versions and a refreshed retrieval corpus.

Every capability here is observable only "partly" (see the catalogue): a repository without LLM
code cannot say whether the practice applies, and prompts, evaluations and traces often live in
a hosted platform. So these detectors report what they find and never infer absence from
silence; the one grade 0 they give is for floating model names, which is something seen.
"""

# Importing the modules registers their detectors.
from . import evaluation, guardrails, pinning, prompts, retrieval, tracing  # noqa: F401
