# Asterisk 22.10.1 for ivr101, built the way the tests build theirs: the same script
# (shared/asterisk/build.sh) over the same tarballs (Asterisk 22.10.1, bundled pjproject
# 2.17; it builds SIPp 3.7.7 too, left out of the final image). Then the deployment steps
# of dialplans/README.md: the stock samples, the project's files over them, the prompts;
# ari.conf is filled from IVR_ARI_PASSWORD when the container starts, never baked in.
#
# Build from the repository root, naming the folder that holds build.sh and the tarballs:
#   docker build -f docker/asterisk.Dockerfile \
#     --build-context asterisk-src=../shared/asterisk -t ivr101-asterisk .
# Untested here (no Docker engine on the build machine); the same steps run in CI
# through tests/real/ (scripts/install_asterisk.sh, tests/real/asterisk.py).
FROM debian:12 AS build
COPY --from=asterisk-src build.sh asterisk-22.10.1.tar.gz pjproject-2.17.tar.bz2 \
     sipp-3.7.7.tar.gz /src/
RUN IVR_ASTERISK_HOME=/opt/asterisk bash /src/build.sh && rm -rf /opt/asterisk/bin/sipp

FROM debian:12
# The shared libraries of the modules dialplans/modules.conf loads (ldd), gettext-base for
# envsubst, and the same Debian sounds and music on hold the build links to.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libedit2 libjansson4 libsqlite3-0 libssl3 \
      libuuid1 libxml2 libxslt1.1 libicu72 gettext-base \
      asterisk-core-sounds-en-wav asterisk-moh-opsound-wav \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /opt/asterisk asterisk
COPY --from=build /opt/asterisk /opt/asterisk
# dialplans/README.md step 1 (ari.conf as a template, filled at start) and step 2.
COPY dialplans/extensions.conf dialplans/pjsip.conf dialplans/http.conf \
     dialplans/modules.conf /opt/asterisk/etc/asterisk/
COPY dialplans/ari.conf /opt/asterisk/etc/asterisk/ari.conf.template
COPY prompts/sounds/en/ivr101 /opt/asterisk/var/lib/asterisk/sounds/en/ivr101
COPY docker/asterisk-start.sh /usr/local/bin/asterisk-start
RUN chown -R asterisk:asterisk /opt/asterisk/etc/asterisk /opt/asterisk/var
USER asterisk
CMD ["asterisk-start"]
