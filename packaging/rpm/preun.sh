# %preun for monban ($1: 0 on erase, 1 on upgrade).
if [ "$1" -eq 0 ]; then
	# A PAM stack that names a missing module refuses every login that
	# reaches it. Refuse to go away while /etc/pam.d still uses the module.
	used=$(grep -ls '^[^#]*pam_monban' /etc/pam.d/* 2>/dev/null || :)
	if [ -n "$used" ]; then
		echo "monban: these PAM files still use pam_monban.so:" $used >&2
		echo "monban: remove those lines first, then remove the package." >&2
		exit 1
	fi
	# As %systemd_preun: stop and disable the daemon.
	systemctl --no-reload disable --now monban-authd.service >/dev/null 2>&1 || :
fi
