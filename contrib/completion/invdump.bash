# bash completion for invdump(1)                        -*- shell-script -*-
#
# make install puts this in $(datadir)/bash-completion/completions/invdump,
# where bash-completion loads it the first time invdump is completed; or
# source it from ~/.bashrc.  It needs bash alone, not bash-completion.
#
# Keep it in step with `invdump --help`: tests/integration/completion.sh
# checks that every flag and profile there is here.

_invdump()
{
	local cur prev prefix= i
	local profiles='offset softlayer range page drf odata scim cursor infoblox meraki f5 servicenow object'
	# Flags that take a value, and those that do not.
	local with_value='-o --output --compress --level -p --profile -l --limit
		-w --workers --per-host --window-bytes --total-header --offset-param --limit-param
		--items-path --total-path --next-path --cursor-param --sort-param
		--key --expand -u --user --user-file --netrc-file -H --header --header-file
		--cacert --capath --max-redirs --allow-origin --retries
		--retry-max-time --rate --connect-timeout --speed-limit --speed-time
		--max-time --max-body --max-item --max-depth --mode --split-items
		--split-bytes --s3-part-size --s3-upload-cutoff --s3-sse --s3-sse-kms-key-id --s3-acl
		--manifest --metrics --metrics-target --shard --jobs
		--session --login-url --login-user-env --login-secret-env --login-secret-file
		--login-body --login-fields --login-field --token-path --token-send
		--token-lifetime --logout-url --cookie-jar
		--min-items --max-drop --state --bookmark --since --lookback'
	local without_value='--no-total --expand-replace --keep-mismatch --full --resume --netrc --insecure
		--no-hedge --cookies
		-q --quiet --progress --no-progress -v --verbose -V --version
		-h --help'

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --profile=drf: bash splits the word at '=' (COMP_WORDBREAKS), or not.
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		prefix=$prev=
		cur=${cur#*=}
	fi

	case $prev in
	-p | --profile)
		COMPREPLY=($(compgen -W "$profiles" -- "$cur"))
		;;
	--compress)
		COMPREPLY=($(compgen -W 'gzip none' -- "$cur"))
		;;
	--progress)
		COMPREPLY=($(compgen -W 'tty plain' -- "$cur"))
		;;
	--session)
		COMPREPLY=($(compgen -W 'f5 ibm-iam oauth2 login' -- "$cur"))
		;;
	--login-body)
		COMPREPLY=($(compgen -W 'json form' -- "$cur"))
		;;
	--token-send)
		COMPREPLY=($(compgen -W 'bearer header: cookie:' -- "$cur"))
		;;
	--login-user-env | --login-secret-env)
		COMPREPLY=($(compgen -e -- "$cur"))
		;;
	-o | --output | --user-file | --header-file | --netrc-file | --cacert | --manifest | \
	--metrics | --jobs | --login-secret-file | --cookie-jar | --state)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	--capath)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -d -- "$cur"))
		;;
	*)
		for i in $with_value; do
			# A value nothing can guess: a number, a name, a URL.
			[[ $prev == "$i" ]] && return 0
		done
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$with_value $without_value" -- "$cur"))
		fi
		;;
	esac
	if [[ -n $prefix ]]; then
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$prefix${COMPREPLY[i]}
		done
	fi
	return 0
}
complete -F _invdump invdump
