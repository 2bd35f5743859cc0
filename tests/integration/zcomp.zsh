# zcomp.zsh DIR LINE... - what zsh's completion offers at the end of each
# LINE, with the _invdump in DIR: prints "LINE:", then each match as
# "<match>" on a line of its own.  Run with zsh -f.
#
# The way zsh-capture-completion does it: an interactive zsh on a pty
# (zpty), Tab bound to a widget that completes, compadd wrapped to print
# what it adds, and a NUL line before and after each completion, so that
# the reader knows where one ends without waiting for a timeout.
zmodload zsh/zpty || exit 2
dir=$1
shift
zpty z zsh -f -i || exit 2
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'null-line () { echo -E - $'"'"'\0'"'"' }'
# zsh empties these hooks after each completion: set them before each.
zpty -w z 'capture () { compprefuncs=( null-line ); comppostfuncs=( null-line ); zle complete-word; }; zle -N capture'
zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
# compadd -O, -A or -D only computes matches: those calls pass through.
zpty -w z 'compadd () { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; (( $#__hits == 0 )) && return 1; local h; for h in $__hits; do echo -E - "<$h>"; done; }'
# Last, since from here on return and newline run nothing.
zpty -w z 'bindkey "^M" undefined; bindkey "^J" undefined; bindkey "^I" capture; bindkey "^U" kill-whole-line'

typeset line l
integer nul
for l in "$@"; do
	print -r -- "$l:"
	zpty -n -w z "$l"$'\t'
	nul=0
	while zpty -r z line; do
		if [[ $line == *$'\0'* ]]; then
			(( nul++ )) && break || continue
		fi
		(( nul )) && print -r -- "${line%%$'\r'*}"
	done
	zpty -n -w z $'\C-u'
done
zpty -d z
