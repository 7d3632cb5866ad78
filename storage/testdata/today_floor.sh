#!/bin/sh
# The floor of `shortlist today --limit 50` on the book $1: today_floor.sql
# in the sqlite3 CLI at the current time, the rep's day taken in UTC (the
# default config's zone on a machine in UTC) and the default budgets.
# Time it beside `shortlist --db BOOK today --limit 50`, e.g. with
# /usr/bin/time -v, runs alternated.
now=$(($(date +%s) * 1000))
today=$(($(date -u -d "$(date -u +%F) 00:00" +%s) * 1000))
exec sqlite3 -readonly "$1" \
	-cmd ".parameter set @now $now" -cmd ".parameter set @win $((now - 14 * 86400000))" \
	-cmd ".parameter set @today $today" -cmd ".parameter set @tomorrow $((today + 86400000))" \
	-cmd ".parameter set @stale $((now - 30 * 86400000))" < "$(dirname "$0")/today_floor.sql"
