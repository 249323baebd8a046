"""MonoPod settings: ``development`` (make run), ``production`` and ``test``; all read ``env``."""
