# Two commands for a newcomer: `make run` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and the sign-in address printed by `make run` follow HOST and PORT.
export SITE_URL ?= http://$(HOST):$(PORT)
SGDS_VERSION ?= 4.2.0
AUTOCOMPLETE_VERSION ?= 3.0.1
TEST_WORKERS ?= 2

.PHONY: run test test-dates lint format check-migrations migrate seed demo-user serve design-system accessible-autocomplete clean bench soak drill bench-import bench-edit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[dev]"
	touch $(VENV)/.installed $@

run: $(VENV)/.installed migrate seed demo-user serve

migrate: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable

seed: $(VENV)/.installed
	$(MANAGE) load_seed

demo-user: $(VENV)/.installed
	$(MANAGE) create_demo_user

serve: $(VENV)/.installed
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev lint check-migrations
	$(BIN)/python -m pytest -n $(TEST_WORKERS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$status
	$(MAKE) test-dates

# The tests whose outcome depends on the day (marked `dates`), run again on later days so a
# new year cannot turn the build red. The main run uses the suite's own day (tests/days.py).
TEST_DAYS ?= 2027-01-04 2030-12-31
test-dates: $(VENV)/.installed-dev
	@for day in $(TEST_DAYS); do \
		echo "Date-sensitive tests with TEST_TODAY=$$day"; \
		TEST_TODAY=$$day $(BIN)/python -m pytest -m dates -n $(TEST_WORKERS); status=$$?; \
		if [ $$status -eq 5 ]; then echo "pytest collected no tests"; \
		elif [ $$status -ne 0 ]; then exit $$status; fi; \
	done

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: $(VENV)/.installed-dev
	DATABASE_URL= $(MANAGE) makemigrations --check --dry-run

# Refresh the vendored Scottish Government Design System (compiled CSS, ES-module JS, icons).
design-system:
	rm -rf build/sgds && mkdir -p build/sgds
	cd build/sgds && npm pack --silent @scottish-government/design-system@$(SGDS_VERSION) && tar xzf *.tgz
	rm -rf static/vendor/sgds && mkdir -p static/vendor/sgds
	cp -r build/sgds/package/dist/css build/sgds/package/dist/images static/vendor/sgds/
	mkdir -p static/vendor/sgds/scripts
	cp build/sgds/package/dist/scripts/design-system.js static/vendor/sgds/scripts/
	rm -f static/vendor/sgds/css/*.map static/vendor/sgds/css/design-system.css
	cp build/sgds/package/LICENSE.txt static/vendor/sgds/LICENSE.txt
	echo "$(SGDS_VERSION)" > static/vendor/sgds/VERSION
	rm -rf build/sgds

# Refresh the vendored GOV.UK accessible-autocomplete (the organisation pickers of the editing
# forms): its built script and stylesheet, without source maps.
accessible-autocomplete:
	rm -rf build/autocomplete && mkdir -p build/autocomplete
	cd build/autocomplete && npm pack --silent accessible-autocomplete@$(AUTOCOMPLETE_VERSION) && tar xzf *.tgz
	rm -rf static/vendor/accessible-autocomplete && mkdir -p static/vendor/accessible-autocomplete
	for file in accessible-autocomplete.min.js accessible-autocomplete.min.css; do \
		sed '/sourceMappingURL=/d' build/autocomplete/package/dist/$$file \
			> static/vendor/accessible-autocomplete/$$file; \
	done
	cp build/autocomplete/package/LICENSE.txt static/vendor/accessible-autocomplete/LICENSE.txt
	echo "$(AUTOCOMPLETE_VERSION)" > static/vendor/accessible-autocomplete/VERSION
	rm -rf build/autocomplete

clean:
	rm -rf $(VENV) staticfiles build

# Load-test the public pages on a generated 24,500-milestone plan (PostgreSQL, gunicorn, wrk);
# writes bench/RESULTS.md. See bench/run.sh for its settings.
bench: $(VENV)/.installed-dev
	bash bench/run.sh

# Time the CSV import with the largest files it accepts, on SQLite and PostgreSQL (a database
# of its own, dropped afterwards); writes its section of bench/RESULTS.md.
bench-import: $(VENV)/.installed-dev
	$(BIN)/python bench/import_apply.py

# Time an editor's in-place saves on the real "Where children live" against the 150 ms p95
# target (PostgreSQL, a database of its own, dropped afterwards); writes its section of
# bench/RESULTS.md.
bench-edit: $(VENV)/.installed-dev
	$(BIN)/python bench/edit_save.py

# Database outage drill (stops and restarts the local PostgreSQL): writes its section of
# bench/SOAK.md.
soak: $(VENV)/.installed-dev
	bash bench/soak.sh

# Two app servers sharing PostgreSQL and Redis behind nginx (the recipe in deploy/): a
# publish, sessions, lockout and rate limits across both, one killed under load. Writes its
# section of bench/SOAK.md.
drill: $(VENV)/.installed-dev
	$(BIN)/python bench/drill.py
