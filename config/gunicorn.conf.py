"""gunicorn settings for every server of this project: `make run`, bench/, the tests, production.

    gunicorn -c config/gunicorn.conf.py config.wsgi:application --access-logfile -

The one thing this file must set: the access log's logger class, which takes secrets (magic-link and
password-reset tokens, secret query parameters, e-mail addresses) and full postcodes (kept to their
four digits) out of every line gunicorn logs (config/access_log.py, quality bar 4). Everything else
(bind address, workers, log files) stays on the command line of whoever starts the server.
"""

logger_class = "config.access_log.RedactingLogger"
