#!/usr/bin/env bash
# tests/shell/petrelc_interop.sh PETRELC — petrelc against a real BIRD 2 control socket.
#
# BIRD runs in a network namespace of its own (pshl-<pid>-...; no kernel protocol, so it
# never touches a route), with a static protocol in its own table and one in master4.
# Checks that petrelc prints what Debian's birdc prints for the same commands (compared
# whole, trailing whitespace aside; the one clock value of `show status`, "Current server
# time", is masked because two commands cannot run in the same millisecond), that
# --json reports BIRD's lack of the JSON extension, that connection failures say what to
# do, and drives the interactive shell through a pseudo-terminal (util-linux `script`):
# `?` prints help without sending anything, Tab completes keywords and protocol names.
# Cleanup (BIRD by PID, the namespace) runs on every exit; exit 77 = skipped.
set -u
PETRELC=${1:?usage: petrelc_interop.sh PETRELC}
source "$(dirname "$0")/../interop/lib.sh"
PTR_ID="${PTR_NS_PREFIX:-pshl}-$$"   # this test's namespace prefix (PTR_NS_PREFIX=x: x-<pid>-...)
ptr_init bird birdc script setpriv

# Strips trailing whitespace and masks the server clock of `show status`.
normalize() { sed -e 's/[[:space:]]*$//' -e 's/^\(Current server time is\) .*/\1 <now>/'; }

# same_as_birdc "PETRELC WORDS" "BIRDC WORDS": both outputs, normalized, must be equal.
same_as_birdc() {
  local p_words=$1 b_words=$2 p_out b_out p_rc b_rc
  # shellcheck disable=SC2086  # word splitting is the point: these are command words
  timeout 10 "$PETRELC" -s "$SOCK" $p_words >"$PTR_SCOPE/petrelc.out" 2>&1; p_rc=$?
  # shellcheck disable=SC2086
  timeout 10 birdc -s "$SOCK" $b_words >"$PTR_SCOPE/birdc.out" 2>&1; b_rc=$?
  p_out=$(normalize <"$PTR_SCOPE/petrelc.out")
  b_out=$(sed '1{/^BIRD .* ready\.$/d}' "$PTR_SCOPE/birdc.out" | normalize)
  if [[ "$p_out" == "$b_out" && $p_rc == "$b_rc" ]]; then
    pass "petrelc '$p_words' prints what birdc '$b_words' prints ($(wc -l <<<"$p_out") lines, exit $p_rc)"
  else
    fail "petrelc '$p_words' differs from birdc '$b_words' (exit $p_rc vs $b_rc)" \
      "$(diff <(echo "$b_out") <(echo "$p_out") | head -40)"
  fi
}

start_bird() {
  ns_add bird; NS=$REPLY
  bird_start "$NS" bird1 <<'CONF'
debug commands 2;
router id 192.0.2.1;
protocol device {}
ipv4 table statictab;
protocol static static1 {
  ipv4 { table statictab; };
  route 10.244.1.0/24 blackhole;
  route 10.244.2.0/24 blackhole;
  route 10.244.2.128/25 unreachable;
}
protocol static static2 {
  ipv4;
  route 10.99.0.0/24 blackhole;
}
CONF
  SOCK=${BIRD_SOCK[bird1]}
}

scenario_same_output() {
  start_bird
  same_as_birdc "show status" "show status"
  same_as_birdc "s p" "show protocols"
  same_as_birdc "show protocols" "show protocols"
  same_as_birdc "show route" "show route"
  same_as_birdc "show protocols all static1" "show protocols all static1"
  same_as_birdc "sh ro t statictab" "show route table statictab"
  same_as_birdc "show route for 10.244.2.200 table statictab all" "show route for 10.244.2.200 table statictab all"
  same_as_birdc "s r c" "show route count"
  same_as_birdc "show interfaces" "show interfaces"
  # Error replies (9001 parse error, 8001 run-time error): both print them and exit 1.
  same_as_birdc "show protocols nosuch" "show protocols nosuch"
  same_as_birdc "show route for 192.0.2.99" "show route for 192.0.2.99"
}

scenario_errors() {
  start_bird
  local out rc
  out=$("$PETRELC" --json -s "$SOCK" show protocols 2>&1 >/dev/null); rc=$?
  check_eq "--json against BIRD: exit status" 1 "$rc"
  check "--json against BIRD: says the JSON extension is missing" \
    grep -q "the server does not speak Petrel's JSON extension" <<<"$out"
  # An action under --json is never sent to BIRD without `json`: it is not run.
  out=$("$PETRELC" --json -s "$SOCK" disable static1 2>&1 >/dev/null); rc=$?
  check_eq "--json disable against BIRD: exit status" 1 "$rc"
  check "--json disable against BIRD: says nothing was done" grep -q "; nothing was done; run the command without --json" <<<"$out"
  check "--json disable against BIRD: static1 still up" \
    bash -c "timeout 5 birdc -s '$SOCK' show protocols static1 | grep -Eq '^static1 +Static +statictab +up '"

  out=$("$PETRELC" -s "$PTR_SCOPE/nosuch.ctl" show status 2>&1); rc=$?
  check_eq "missing socket: exit status" 1 "$rc"
  check_eq "missing socket: message" \
    "petrelc: cannot connect to $PTR_SCOPE/nosuch.ctl: no such file (is petreld running?)" "$out"

  # BIRD's socket is not writable by nobody.
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PETRELC" -s "$SOCK" show status 2>&1); rc=$?
  check_eq "no permission: exit status" 1 "$rc"
  check_eq "no permission: message" \
    "petrelc: cannot connect to $SOCK: permission denied (the socket is mode 0660; are you in its group?)" "$out"

  out=$("$PETRELC" -s "$SOCK" re static1 2>&1); rc=$?
  check_eq "ambiguous command: exit status 2, nothing sent" 2 "$rc"
  check "ambiguous command: candidates named" grep -q 'it may be reload, restart' <<<"$out"

  # Script mode: one command per line from a pipe.
  out=$(printf 'show status\ns p\nquit\nshow memory\n' | "$PETRELC" -s "$SOCK" 2>&1); rc=$?
  check_eq "script mode: exit status" 0 "$rc"
  check "script mode: both commands ran, none after quit" \
    bash -c '[[ $(grep -c "^Router ID is 192.0.2.1" <<<"$1") == 1 && $1 == *"static1    Static"* && $1 != *"Memory usage"* ]]' _ "$out"

  out=$(printf 'show status\nshow protocols nosuch\nshow memory\n' | "$PETRELC" -s "$SOCK" 2>&1); rc=$?
  check_eq "script mode: a failed command makes the exit status 1" 1 "$rc"
  check "script mode: commands after the failed one still ran" grep -q 'Total:' <<<"$out"

  # A socket file nobody listens on: BIRD killed without a chance to remove it.
  ptr_signal KILL "${BIRD_PID[bird1]}"
  { wait "${BIRD_PID[bird1]}"; } 2>/dev/null   # reaped here, so bash reports no "Killed"
  require "stale socket: the socket file is still there" test -S "$SOCK"
  out=$("$PETRELC" -s "$SOCK" show status 2>&1); rc=$?
  check_eq "stale socket: exit status" 1 "$rc"
  check_eq "stale socket: message" \
    "petrelc: cannot connect to $SOCK: connection refused (is petreld running?)" "$out"
}

# Commands BIRD received since log line $1 (BIRD logs them with `debug commands 2`).
bird_commands_since() { tail -n "+$1" "${BIRD_LOG[bird1]}" | sed -n 's/.*CLI: \(.*\)$/\1/p'; }

scenario_interactive() {
  start_bird
  local before out cmds rc
  before=$(( $(wc -l <"${BIRD_LOG[bird1]}") + 1 ))
  # Keystrokes: "s p ?" (help, nothing sent), Ctrl-U (kill the line), "sh<Tab>st<Tab>"
  # Enter (show status), "s p all st<Tab>" (completes to "static", the common part of the
  # names the server lists) "1" Enter, "show memory" Ctrl-C (cancelled, not sent),
  # 'disable static1 "why?' (a ? inside quotes is a character) Ctrl-C, quit.
  out=$( { ptr_sleep 0.5; printf 's p ?'; ptr_sleep 0.5; printf '\025'; ptr_sleep 0.2
           printf 'sh\t'; ptr_sleep 0.2; printf 'st\t'; ptr_sleep 0.2; printf '\r'; ptr_sleep 0.5
           printf 's p all st\t'; ptr_sleep 0.5; printf '1\r'; ptr_sleep 0.5
           printf 'show memory'; ptr_sleep 0.2; printf '\003'; ptr_sleep 0.3
           printf 'disable static1 "why?'; ptr_sleep 0.2; printf '\003'; ptr_sleep 0.3
           printf 'quit\r'; ptr_sleep 0.5; } |
         HOME=$PTR_SCOPE TERM=dumb timeout 15 script -qfec "$PETRELC -s $SOCK" /dev/null 2>&1 )
  printf '%s\n' "$out" >"$PTR_SCOPE/pty.out"
  cmds=$(bird_commands_since "$before")
  printf '%s\n' "$cmds" >"$PTR_SCOPE/commands.out"
  check "interactive: greeting printed" grep -q 'BIRD 2.* ready\.' "$PTR_SCOPE/pty.out"
  check "interactive: ? listed the next words" grep -q 'all         details of each protocol' "$PTR_SCOPE/pty.out"
  check "interactive: ? listed <Enter>" grep -q '<Enter>     run the command' "$PTR_SCOPE/pty.out"
  check "interactive: Tab completed sh to show" grep -q 'petrel> show ' "$PTR_SCOPE/pty.out"
  check "interactive: show status ran" grep -q 'Router ID is 192.0.2.1' "$PTR_SCOPE/pty.out"
  check_eq "interactive: what BIRD received (? sent nothing; Tab fetched names)" \
    "$(printf 'show status\nshow protocols\nshow protocols all static1')" "$cmds"
  check "interactive: history file written" grep -q 'show status\|sh.*st' "$PTR_SCOPE/.petrelc_history"
  check "interactive: Ctrl-C showed ^C and petrelc stayed" grep -q '\^C' "$PTR_SCOPE/pty.out"
  check "interactive: quit after Ctrl-C was read" grep -q 'petrel> quit' "$PTR_SCOPE/pty.out"
  check "interactive: ? inside a quoted message is typed, not help" grep -q 'disable static1 "why?^C' "$PTR_SCOPE/pty.out"

  # Ctrl-D on an empty line leaves with status 0.
  out=$( { ptr_sleep 0.5; printf '\004'; ptr_sleep 0.5; } |
         HOME=$PTR_SCOPE TERM=dumb timeout 10 script -qfec "$PETRELC -s $SOCK" /dev/null 2>&1 ); rc=$?
  check_eq "interactive: Ctrl-D leaves with status 0" 0 "$rc"
}

run_scenario same_output scenario_same_output
run_scenario errors scenario_errors
run_scenario interactive scenario_interactive
ptr_summary
