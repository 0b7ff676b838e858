"""Batches of whole folders, as an engine: the client (:mod:`.client`) hands chunks of files to worker tasks
(:mod:`.tasks`) run in this process, a local pool or on a Dask cluster (:mod:`.engine`), joins their part
files (:mod:`.parts`) and publishes the outputs as one set (:mod:`.outputs`)."""

from .client import batch_lock, exit_status, run_batch

__all__ = ["batch_lock", "exit_status", "run_batch"]
