# Runs many AWS CLI v1 commands in one Python process, for the end-to-end tests (aws-cli.ts).
#
# This is still the real AWS CLI: each command goes through the same entry the `aws` script calls,
# awscli.clidriver.create_clidriver() then driver.main(args), with a new botocore session per command,
# and its exit status is what `sys.exit(main())` in that script would give. What is saved is the
# start-up: Python, the awscli/botocore imports, and the parsed service models, which one botocore
# data loader shared by the sessions keeps (loading the EC2 model is most of a command's time).
#
# Protocol: one JSON line per command on stdin, {"args": [...], "env": {...}}; one JSON line per
# answer on stdout, {"status": int, "stdout": str, "stderr": str}. A first line {"ready": true} says
# that awscli was imported. The process ends when stdin closes.
#
# Usage: <the aws script's Python> aws-cli-driver.py <path of the aws script>
import io
import json
import logging
import os
import sys
import traceback
import warnings

# The protocol owns the real stdin and stdout; a command that writes to file descriptor 1 itself
# writes to stderr instead, and one that reads stdin reads nothing.
requests = os.fdopen(os.dup(0), 'rb')
answers = os.fdopen(os.dup(1), 'wb')
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
os.dup2(2, 1)

# As when the aws script runs: its own folder comes first on the module path.
script = os.path.abspath(sys.argv[1])
sys.path[0] = os.path.dirname(script)


def answer(message):
    answers.write(json.dumps(message).encode('utf-8') + b'\n')
    answers.flush()


try:
    import awscli
    import awscli.clidriver
    import botocore.loaders
except Exception:
    sys.stderr.write(traceback.format_exc())
    sys.exit(3)

AWSCLI_DATA = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), 'data')
LOADERS = {}


def shared_loader(data_path):
    """One loader per search path, kept for the life of the process, so each model is parsed once."""
    loader = LOADERS.get(data_path)
    if loader is None:
        loader = LOADERS[data_path] = botocore.loaders.create_loader(data_path)
    return loader


def set_environment(env):
    """The command's environment, as the aws script and awscli/__init__.py would leave it."""
    os.environ.clear()
    os.environ.update(env)
    if os.environ.get('LC_CTYPE', '') == 'UTF-8':
        os.environ['LC_CTYPE'] = 'en_US.UTF-8'
    paths = []
    if 'AWS_DATA_PATH' in os.environ:
        for path in os.environ['AWS_DATA_PATH'].split(os.pathsep):
            paths.append(os.path.expanduser(os.path.expandvars(path)))
    paths.append(AWSCLI_DATA)
    os.environ['AWS_DATA_PATH'] = os.pathsep.join(paths)


def logging_state():
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    return {logger: (list(logger.handlers), logger.level, logger.propagate) for logger in loggers}


def restore_logging(state):
    """--debug adds handlers that print to that command's stderr; the next command starts without them."""
    for logger in logging_state():
        handlers, level, propagate = state.get(logger, ([], logging.NOTSET, True))
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def run(args, env):
    set_environment(env)
    sys.argv = [script] + args
    # A warning printed once per process would otherwise print for the first command only.
    warnings.onceregistry.clear()
    warnings._filters_mutated()
    stdout = io.TextIOWrapper(io.BytesIO(), encoding=sys.__stdout__.encoding, errors=sys.__stdout__.errors)
    stderr = io.TextIOWrapper(io.BytesIO(), encoding=sys.__stderr__.encoding, errors=sys.__stderr__.errors)
    sys.stdout, sys.stderr = stdout, stderr
    state = logging_state()
    try:
        # awscli.clidriver.main(), with a session whose data loader is the shared one.
        driver = awscli.clidriver.create_clidriver()
        session = driver.session
        session._components.lazy_register_component(
            'data_loader', lambda: shared_loader(session.get_config_variable('data_path'))
        )
        rc = driver.main(args)
        awscli.clidriver.HISTORY_RECORDER.record('CLI_RC', rc, 'CLI')
        status = exit_status(rc, stderr)
    except SystemExit as exit:
        status = exit_status(exit.code, stderr)
    except BaseException:
        stderr.write(traceback.format_exc())
        status = 1
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        restore_logging(state)
    stdout.flush()
    stderr.flush()
    return {
        'status': status,
        'stdout': stdout.buffer.getvalue().decode('utf-8', 'replace'),
        'stderr': stderr.buffer.getvalue().decode('utf-8', 'replace'),
    }


def exit_status(code, stderr):
    """What the process would exit with after sys.exit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    stderr.write(str(code) + '\n')
    return 1


answer({'ready': True})
for line in requests:
    request = json.loads(line)
    answer(run(request['args'], request['env']))
