"""The audit's rules, pure Python: the hash chains (``chain``), the head records across them
(``roots``), signed checkpoints (``checkpoints``) and who may read what (``access``)."""
