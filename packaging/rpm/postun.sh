# %postun for monban ($1: 0 on erase, 1 on upgrade).
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
fi
# As %systemd_postun_with_restart: pick up the new binary after an upgrade.
if [ "$1" -ge 1 ]; then
	systemctl try-restart monban-authd.service >/dev/null 2>&1 || :
fi
