"""The language server (``kpilint server``: LSP over stdio), kpilint in the editor.

- Diagnostics on open, change (debounced) and save of each open spec file, from its unsaved text
  checked together with the rest of its project (other files from disk, or from their open
  buffers). A change re-reads only the changed documents (:meth:`Linter.update`), re-runs their
  file rules and the project rules where the change reaches, and republishes every open document
  of the project whose findings changed: fixing a reference in one file clears the finding shown
  in another.
- Columns go from kpilint's code points to the negotiated position encoding (UTF-16 unless the
  client offers UTF-8 or UTF-32).
- Quick fixes: a finding's certain fix (preferred), and suppression comments for the line or file.
- Hover (the entity card), go to definition, find references, and completion of ids (of the kinds a
  field accepts), enum values, and keys (an entity's fields; `min`/`max` of a band target,
  `value`/`as_of` of an actual or baseline).
- A config change (a watched file, or saving the config) reloads the projects.
- Nothing a document or a request does stops the server: failures are logged and answered.

One :class:`~kpilint.server.workspace.Project` per project root (SPEC §3) keeps one incremental
:class:`~kpilint.engine.Linter`: an edit re-checks only what it reaches, and hover, definition,
references and completion ask the same :class:`~kpilint.graph.ProjectGraph` the rules use. Linting
runs in one worker thread while the event loop keeps answering. pygls is imported in
:func:`create_server`.

Modules: ``protocol`` (pygls glue), ``service`` (documents, projects, runs, publishing),
``workspace`` (projects and their linter), ``text`` (positions and URIs), and one per feature:
``diagnostics``, ``hover``, ``navigation`` (definition, references), ``completion``, ``actions``.
"""

from kpilint.server.protocol import create_server, serve

__all__ = ["create_server", "serve"]
