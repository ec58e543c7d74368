"""``WarmEngine``: the papermill engine ``warm`` (kernels kept warm by :mod:`.engine`).

papermill imports this class through its entry point (``analysis.runner:WarmEngine``) at the end
of importing ``papermill.engines``. Import it as ``analysis.runner.WarmEngine`` (or after
``papermill.engines``), never as the first papermill import of a process: it subclasses a class
of ``papermill.engines``, whose import would come back here before this class exists.
"""

from __future__ import annotations

import os

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine
from papermill.log import logger as _pm_logger
from papermill.utils import merge_kwargs, remove_args

from .engine import _acquire, _release


class WarmEngine(NBClientEngine):
    """Papermill engine that reuses one kernel per worker and resets it between notebooks.

    Registered under the name ``warm`` through the ``papermill.engine`` entry point, so
    ``papermill --engine warm in.ipynb out.ipynb`` and
    ``papermill.execute_notebook(..., engine_name="warm")`` use it. The working directory of
    a notebook is ``resources["metadata"]["path"]`` when given, else the current directory
    (papermill's ``cwd`` argument changes it before calling the engine).
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        """Execute ``nb_man.nb`` in a warm kernel (same arguments as ``NBClientEngine``, plus
        ``kernel_env``: variables of :data:`.engine._FORWARDED_ENV` the notebook sees, as a kernel
        started with them would)."""
        kernel_env = kwargs.pop("kernel_env", None)
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=_pm_logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        resources = kwargs.get("resources") or {}
        cwd = (resources.get("metadata") or {}).get("path") or os.getcwd()
        wk = _acquire(kernel_name, cwd, start_timeout, kernel_env)
        healthy = False
        try:
            client = PapermillNotebookClient(nb_man, km=wk.km, **final_kwargs)
            client.kc = wk.kc
            result = client.execute()
            healthy = True
            return result
        finally:
            _release(wk, healthy)
