"""Firmware sanitisation: the drive erases itself (ATA SANITIZE / SECURITY ERASE, NVMe Sanitize /
Format, SCSI SANITIZE), driven through the Debian tools hdparm, nvme-cli and sg3_utils.

* ``runner``: runs one tool with a timeout and keeps what it said as a ``Transcript``.
* ``probe``: what the drive says it can do (``Capabilities``), frozen/locked with an operator hint.
* ``hidden_areas``: HPA / DCO state (``HiddenAreas``).
* ``sanitize``: the job that sends the command, polls it to completion and reads back samples.

Method names ("ata-sanitize-crypto", "nvme-format-user-data", ...) are the same strings as the
application's method catalogue (app/core/erase_methods.py); this package never imports it.
"""
