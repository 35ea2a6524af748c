"""Publishing the board pack: the plan, the runner, HTML export, the index and data-quality pages, kernel start-up.

jsonschema (imported by nbformat, so by papermill, nbconvert and the kernel template's modules) imports
``rfc3987_syntax`` when it is installed, and that compiles 38 lark grammars as it is imported: about 2 s
of CPU, paid by ``lscb run``, each of its workers and its kernel template
(python-jsonschema/jsonschema#1428). Nothing the pack runs checks the ``iri`` formats it is for, so the
publishing processes leave it out: jsonschema then skips those two formats, as wherever the library is
not installed. (``sys.modules[name] = None`` is the import system's own way to make an import fail.)
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
