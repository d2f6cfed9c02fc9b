# Sourced by run.sh, scripts/psql.sh and scripts/ops.sh: sets $data_folder to the stack's data folder, by the same rule
# as the AppHost (AppHost/Infrastructure/ReliefDataFolder.cs): --Infrastructure:DataFolder=… among the arguments, else
# the environment's Infrastructure__DataFolder, else /var/lib/relief for root and $XDG_DATA_HOME/relief for others.
data_folder=${Infrastructure__DataFolder:-}
for argument in "$@"; do
    case $argument in --Infrastructure:DataFolder=*) data_folder=${argument#*=} ;; esac
done
if [ -z "$data_folder" ]; then
    if [ "$(id -u)" = 0 ]; then data_folder=/var/lib/relief; else data_folder=${XDG_DATA_HOME:-$HOME/.local/share}/relief; fi
fi
