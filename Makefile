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
publish: publish-daemons ## Publish the daemons and certgen into out/ (inframanager, infraagent and felix-api-proxy as Native AOT executables)
	$(DOTNET) publish FelixApiProxy/FelixApiProxy.csproj -c $(CONFIGURATION) --use-current-runtime -o $(OUT)/felix-api-proxy --nologo -v quiet -clp:ErrorsOnly
	$(DOTNET) publish certs/CertGen/CertGen.csproj -c $(CONFIGURATION) -o $(OUT)/certgen --nologo -v quiet
	$(DOTNET) publish ArpProxy/ArpProxy.csproj -c $(CONFIGURATION) -o $(OUT)/arp-proxy --nologo -v quiet
	$(DOTNET) publish SoftTarget/SoftTarget.csproj -c $(CONFIGURATION) -o $(OUT)/softtarget --nologo -v quiet

.PHONY: publish-daemons
publish-daemons: publish-manager publish-agent ## Publish inframanager and infraagent as Native AOT executables (make run and make test use them)

.PHONY: publish-manager
publish-manager: setup ## Publish inframanager alone: out/inframanager/inframanager, Native AOT
	$(DOTNET) publish InfraManager/InfraManager.csproj -c $(CONFIGURATION) --use-current-runtime -o $(OUT)/inframanager --nologo -v quiet -clp:ErrorsOnly

.PHONY: publish-agent
publish-agent: setup ## Publish infraagent alone: out/infraagent/infraagent, Native AOT
	$(DOTNET) publish InfraAgent/InfraAgent.csproj -c $(CONFIGURATION) --use-current-runtime -o $(OUT)/infraagent --nologo -v quiet -clp:ErrorsOnly

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
run: build publish-daemons gen-certs ## Run a whole node on this machine: daemons, API stand-in, demo pods and Services (Ctrl-C stops it)
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

# ---- Deployment on a Kubernetes node (README.md, "Deploying on a Kubernetes node") ----------------
IMAGE_REGISTRY ?= localhost:5000/
IMAGE_VERSION  ?= latest
AGENT_IMAGE    := $(IMAGE_REGISTRY)infraagent:$(IMAGE_VERSION)
MANAGER_IMAGE  := $(IMAGE_REGISTRY)inframanager:$(IMAGE_VERSION)
DOCKER         ?= docker
KUBECTL        ?= kubectl
# Where make deploy renders the manifests it applies (and make undeploy deletes).
DEPLOY_OUT     ?= $(OUT)/deploy
# Must match the image tags in deploy/calico-with-grpc.yaml.
CALICO_VERSION ?= v3.29.3
CALICO_CRDS    ?= https://raw.githubusercontent.com/projectcalico/calico/$(CALICO_VERSION)/manifests/crds.yaml
DOCKER_BUILD_ARGS := $(if $(HTTP_PROXY),--build-arg HTTP_PROXY=$(HTTP_PROXY)) $(if $(HTTPS_PROXY),--build-arg HTTPS_PROXY=$(HTTPS_PROXY))
# The certificate folders of make gen-certs behind the three secrets of reference-behaviour.md 6.11.
TLS_SECRET_DIRS := inframanager/server inframanager/client infraagent/client
# $(call tls_secret,NAME,FOLDER): create or update secret NAME in kube-system from FOLDER's tls.crt, tls.key, ca.crt.
tls_secret = $(KUBECTL) -n kube-system create secret generic $(1) $(foreach f,tls.crt tls.key ca.crt,--from-file=$(CERTS_DIR)/$(2)/$(f)) \
	--dry-run=client -o yaml | $(KUBECTL) apply --server-side --force-conflicts -f -

.PHONY: docker-build docker-build-agent docker-build-manager
docker-build: docker-build-agent docker-build-manager ## Build both images, tagged IMAGE_REGISTRY{infraagent,inframanager}:IMAGE_VERSION (needs a Docker engine)

docker-build-agent: ## Build the infraagent image, felix-api-proxy inside
	$(DOCKER) build $(DOCKER_BUILD_ARGS) -f deploy/images/infraagent.Dockerfile -t $(AGENT_IMAGE) .

docker-build-manager: ## Build the inframanager image
	$(DOCKER) build $(DOCKER_BUILD_ARGS) -f deploy/images/inframanager.Dockerfile -t $(MANAGER_IMAGE) .

.PHONY: docker-push
docker-push: ## Push both images to IMAGE_REGISTRY
	$(DOCKER) push $(AGENT_IMAGE)
	$(DOCKER) push $(MANAGER_IMAGE)

.PHONY: deploy-manifests
deploy-manifests: ## Render deploy/ with the images of IMAGE_REGISTRY and IMAGE_VERSION into out/deploy/infra.yaml (no cluster needed)
	@rm -rf $(DEPLOY_OUT) && mkdir -p $(DEPLOY_OUT)
	$(KUBECTL) kustomize deploy > $(DEPLOY_OUT)/base.yaml
	printf '%s\n' 'resources:' '- base.yaml' 'images:' \
	  '- name: infraagent' '  newName: $(IMAGE_REGISTRY)infraagent' '  newTag: "$(IMAGE_VERSION)"' \
	  '- name: inframanager' '  newName: $(IMAGE_REGISTRY)inframanager' '  newTag: "$(IMAGE_VERSION)"' > $(DEPLOY_OUT)/kustomization.yaml
	$(KUBECTL) kustomize $(DEPLOY_OUT) > $(DEPLOY_OUT)/infra.yaml

.PHONY: deploy undeploy
deploy: deploy-manifests ## Deploy infraagent and inframanager into kube-system (images from IMAGE_REGISTRY, IMAGE_VERSION)
	$(KUBECTL) apply -f $(DEPLOY_OUT)/infra.yaml

undeploy: deploy-manifests ## Remove what make deploy made and wait for its pods to go (then make clean-dirs on the node)
	$(KUBECTL) delete --ignore-not-found --cascade=foreground -f $(DEPLOY_OUT)/infra.yaml

.PHONY: deploy-calico undeploy-calico
deploy-calico: ## Deploy Calico (CALICO_VERSION) with the gRPC dataplane: its CRDs, deploy/calico-with-grpc.yaml, deploy/felix-configuration.yaml
	$(KUBECTL) apply --server-side --force-conflicts -f $(CALICO_CRDS)
	$(KUBECTL) wait --for condition=established --timeout=60s crd/felixconfigurations.crd.projectcalico.org
	$(KUBECTL) apply -f deploy/calico-with-grpc.yaml
	$(KUBECTL) apply -f deploy/felix-configuration.yaml

undeploy-calico: ## Remove Calico, its Felix configuration and its CRDs
	$(KUBECTL) delete --ignore-not-found -f deploy/felix-configuration.yaml
	$(KUBECTL) delete --ignore-not-found -f deploy/calico-with-grpc.yaml
	$(KUBECTL) delete --ignore-not-found -f $(CALICO_CRDS)

.PHONY: tls-secrets
tls-secrets: ## Create or update the secrets manager-server-secret, manager-client-secret, agent-client-secret (kube-system) from CERTS_DIR
	@for file in $(foreach d,$(TLS_SECRET_DIRS),$(foreach f,tls.crt tls.key ca.crt,$(CERTS_DIR)/$(d)/$(f))); do \
	  [ -f "$$file" ] || { echo "tls-secrets: $$file is missing: run make gen-certs first" >&2; exit 1; }; \
	done
	$(call tls_secret,manager-server-secret,inframanager/server)
	$(call tls_secret,manager-client-secret,inframanager/client)
	$(call tls_secret,agent-client-secret,infraagent/client)

.PHONY: clean-dirs
clean-dirs: ## On the node, after make undeploy: stop the ARP proxy, remove the daemons' state and logs
	-scripts/arp_proxy.sh stop
	rm -rf /var/lib/cni/inframanager /var/lib/cni/infraagent /var/log/infraagent /var/log/inframanager.log
