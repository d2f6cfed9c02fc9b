# Sourced by run-postgres.sh and run-rabbitmq.sh: a fresh data folder under /tmp for one server run.
#
# A server stopped the hard way (SIGKILL: DCP does that to a server slow to stop) cannot remove its folder, so each
# start first removes the folders of earlier runs whose owning script is gone. Folders younger than a minute are
# left alone: their owner may not have written its pid yet.
new_run_folder() { # prefix → prints the folder
    local prefix=$1 stale owner
    for stale in /tmp/"$prefix".*; do
        [ -d "$stale" ] || continue
        owner=$(cat "$stale/owner.pid" 2> /dev/null || true)
        if [ -n "$owner" ] && kill -0 "$owner" 2> /dev/null; then continue; fi
        [ -n "$(find "$stale" -maxdepth 0 -mmin +1)" ] && rm -rf "$stale"
    done
    local folder
    folder=$(mktemp -d "/tmp/$prefix.XXXXXX")
    echo $$ > "$folder/owner.pid"
    echo "$folder"
}
