"""The staff web UI's shell: navigation registry, dashboard cards, generic object views, tables.

See docs/web-ui.md for how a module adds its pages and navigation entry.
"""
