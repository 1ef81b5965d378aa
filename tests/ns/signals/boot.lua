-- Signals follow the BusyBox/sysvinit convention: SIGUSR2 powers off.
print("SIGNALS: ready")
