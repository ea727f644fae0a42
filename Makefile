# The two commands of the README.
.PHONY: run test bench

run:
	./scripts/run.sh

test:
	./scripts/test.sh

bench:
	./bench/foundation.sh
	./bench/mail.sh
	./bench/catalogue.sh
	./bench/booths.sh
	./bench/badges.sh
	./bench/meetings.sh
	./bench/scale.sh
	./bench/fuzz.sh
