# %post for monban ($1: 1 on install, 2 on upgrade).
# The daemon's user "monban" and the administrators' group "monban-admin".
if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers monban.conf || :
else
	getent group monban >/dev/null || groupadd -r monban
	getent passwd monban >/dev/null || useradd -r -g monban -d /var/lib/monban \
		-M -s /sbin/nologin -c "monban credential daemon" monban
	getent group monban-admin >/dev/null || groupadd -r monban-admin
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
	systemd-tmpfiles --create monban.conf || :
else
	install -d -m 0700 -o monban -g monban /var/lib/monban
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
fi
# As %systemd_post: the distribution's preset decides whether it is enabled.
if [ "$1" -eq 1 ]; then
	systemctl --no-reload preset monban-authd.service >/dev/null 2>&1 || :
fi
# pam_monban.so is not added to the PAM stack here: see
# /usr/share/doc/monban/examples/pam.d/ and the README.
