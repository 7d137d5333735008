#!/bin/sh
# usage: watch_rss.sh LIMIT_KB LOG -- command...
# Runs command under /usr/bin/time -v (output to LOG); samples the summed RSS of the whole process
# tree every 0.5 s, appends "PEAK_TREE_RSS_KB n" to LOG, and kills the tree (by pid) above LIMIT_KB.
LIMIT=$1; LOG=$2; shift 3
/usr/bin/time -v "$@" > "$LOG" 2>&1 &
TPID=$!
PEAK=0
while kill -0 $TPID 2>/dev/null; do
  PIDS_RSS=$(ps -eo pid=,ppid=,rss= | awk -v root=$TPID '{p[$1]=$2; r[$1]=$3} END {for (i in p) {j=i; while (j>1 && j!=root) j=p[j]; if (j==root && i!=root) {s+=r[i]; l=l" "i}} print s+0, l}')
  RSS=${PIDS_RSS%% *}
  [ "$RSS" -gt "$PEAK" ] && PEAK=$RSS
  if [ "$RSS" -gt "$LIMIT" ]; then echo "KILLED: tree rss $RSS > $LIMIT" >> "$LOG"; kill ${PIDS_RSS#* }; fi
  sleep 0.5
done
wait $TPID
echo "PEAK_TREE_RSS_KB $PEAK" >> "$LOG"
