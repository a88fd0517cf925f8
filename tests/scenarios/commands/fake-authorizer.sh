#!/bin/sh
# A stand-in authorizer for tests/scenarios/command-authorizer.json: it reads the event API
# Gateway would send on stdin and answers by the token it carries, the way a real authorizer
# run through `"command"` does (response JSON on stdout; `Unauthorized` + non-zero exit).
event=$(cat)
case "$event" in
  *'"authorizationToken":"tok-alice"'*)
    # Allow exactly the method ARN of the event: the first-method trap, reproduced.
    arn=$(printf '%s' "$event" | sed 's/.*"methodArn":"\([^"]*\)".*/\1/')
    printf '{"principalId":"alice","policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"%s"}]},"context":{"via":"command"}}\n' "$arn"
    ;;
  *'"authorizationToken":"tok-bob"'*) echo "Unauthorized" >&2; exit 1 ;;
  *'"authorizationToken":"tok-crash"'*) echo "thread 'main' panicked" >&2; exit 101 ;;
  *'"authorizationToken":"tok-garbage"'*) echo "<html>oops</html>" ;;
  *'"authorizationToken":"tok-slow"'*) sleep 5; echo '{}' ;;
  *) echo "unexpected event" >&2; exit 2 ;;
esac
