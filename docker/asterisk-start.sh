#!/bin/sh
# Fills ari.conf from the environment (the README's envsubst, naming the one variable),
# then runs Asterisk in the foreground. Refuses to start without a password.
set -eu
: "${IVR_ARI_PASSWORD:?set IVR_ARI_PASSWORD (the ARI password ivr serve uses too)}"
etc=/opt/asterisk/etc/asterisk
umask 077
envsubst '${IVR_ARI_PASSWORD}' < "$etc/ari.conf.template" > "$etc/ari.conf"
exec /opt/asterisk/sbin/asterisk -f -n
