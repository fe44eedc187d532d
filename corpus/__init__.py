"""Realistic sample-corpus generator for sohoa.

    from sohoa.corpus import generate_batch
    result = generate_batch(out_dir, docs=20, seed=0, degradation="medium", bad_files=True)

writes out_dir/batch/ (a scan batch per the interface contract), truth.jsonl,
registry.jsonl and expected.jsonl; see corpus/README.md.
"""
from sohoa.corpus.batch import GeneratedBatch, generate_batch

__all__ = ["GeneratedBatch", "generate_batch"]
