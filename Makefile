# K8sInfraOffload: make help lists the targets.
SHELL        := /bin/bash
CONFIGURATION ?= Release
CERTS_DIR    ?= certs/generated
SHARED_DIR   ?= ../shared
OUT          := out
DOTNET       ?= dotnet

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.PHONY: setup
setup: ## Install the Debian packages and restore the .NET packages
	@scripts/install-deps.sh

.PHONY: build
build: setup ## Build every project
	$(DOTNET) build K8sInfraOffload.sln -c $(CONFIGURATION) --nologo -v quiet -clp:ErrorsOnly

.PHONY: publish
publish: publish-manager ## Publish the daemons and certgen into out/ (inframanager and felix-api-proxy as Native AOT executables)
	$(DOTNET) publish InfraAgent/InfraAgent.csproj -c $(CONFIGURATION) -o $(OUT)/infraagent --nologo -v quiet
	$(DOTNET) publish FelixApiProxy/FelixApiProxy.csproj -c $(CONFIGURATION) --use-current-runtime -o $(OUT)/felix-api-proxy --nologo -v quiet -clp:ErrorsOnly
	$(DOTNET) publish certs/CertGen/CertGen.csproj -c $(CONFIGURATION) -o $(OUT)/certgen --nologo -v quiet
	$(DOTNET) publish ArpProxy/ArpProxy.csproj -c $(CONFIGURATION) -o $(OUT)/arp-proxy --nologo -v quiet
	$(DOTNET) publish SoftTarget/SoftTarget.csproj -c $(CONFIGURATION) -o $(OUT)/softtarget --nologo -v quiet

.PHONY: publish-manager
publish-manager: setup ## Publish inframanager alone: out/inframanager/inframanager, Native AOT (make run and make test use it)
	$(DOTNET) publish InfraManager/InfraManager.csproj -c $(CONFIGURATION) --use-current-runtime -o $(OUT)/inframanager --nologo -v quiet -clp:ErrorsOnly

.PHONY: test
test: setup ## Run all tests (as root: they create namespaces and interfaces); ends with "N passed, N failed"
	@CONFIGURATION=$(CONFIGURATION) scripts/run-tests.sh

.PHONY: bench
bench: build publish ## Benchmarks (as root, on an idle machine): SoftTarget write rate, latency, memory, forwarding; manager programming, reconcile, memory; CNI latency, service programming
	$(DOTNET) bench/SoftTarget.Benchmarks/bin/$(CONFIGURATION)/net10.0/SoftTarget.Benchmarks.dll
	$(DOTNET) bench/InfraManager.Benchmarks/bin/$(CONFIGURATION)/net10.0/InfraManager.Benchmarks.dll
	$(DOTNET) bench/InfraAgent.Benchmarks/bin/$(CONFIGURATION)/net10.0/InfraAgent.Benchmarks.dll

.PHONY: wirecheck
wirecheck: build ## Compare our .proto files with the official descriptors (../shared/wire)
	@for set in p4runtime calico-and-infra gnmi; do \
	  echo "== $$set"; \
	  $(DOTNET) run $(SHARED_DIR)/tools/WireCheck.cs -- $(SHARED_DIR)/wire/$$set.descriptorset.pb \
	    proto/bin/$(CONFIGURATION)/net10.0/k8sinfraoffload.descriptorset.pb | grep -v '^note:' || exit 1; \
	done

.PHONY: gen-certs
gen-certs: ## Write the CA and the mTLS certificates into certs/generated (FORCE=1 replaces valid ones)
	$(DOTNET) run --project certs/CertGen/CertGen.csproj -c $(CONFIGURATION) -- --out $(CERTS_DIR) $(if $(FORCE),--force)

.PHONY: run
run: build publish-manager gen-certs ## Run a whole node on this machine: daemons, API stand-in, demo pods and Services (Ctrl-C stops it)
	@scripts/run-node.sh

.PHONY: stop
stop: ## Stop what make run started: pods through CNI Del, daemons, TAPs
	@scripts/run-node.sh stop

.PHONY: p4
p4: ## Compile k8s_dp with p4c-dpdk and the TDI pipeline builder (on a host that has them)
	$(MAKE) -C k8s_dp p4

.PHONY: clean
clean: ## Remove build outputs (keeps certificates)
	$(DOTNET) clean K8sInfraOffload.sln -c $(CONFIGURATION) --nologo -v quiet
	rm -rf $(OUT)
	find . -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
