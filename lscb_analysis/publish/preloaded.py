"""Imported last by the workers' fork server (:func:`lscb_analysis.publish.runner._pool_context`): freezes what
the modules before it imported.

The fork server only imports modules before it forks the workers, so this is a module, and its import is its
only effect: :func:`gc.freeze` moves every object so far (a few million, from papermill, nbconvert and pandas)
out of the garbage collector's reach. The workers forked from it then never walk them in a full collection
(the recipe in Python's documentation for processes that fork), and the server itself exits at once when the
run ends instead of collecting them all again as its modules are cleared (about 1 s, during which it holds the
run's output open).
"""

from __future__ import annotations

import gc

gc.freeze()
