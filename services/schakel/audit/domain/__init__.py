"""The audit's rules, pure Python: the hash chain (``chain``) and who may read what
(``access``)."""
