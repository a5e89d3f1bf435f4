"""A generated corpus of valid manifests: many small example folders, realistic resources."""

from __future__ import annotations

from pathlib import Path

APP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
        version: v{version}
    spec:
      containers:
        - name: app
          image: registry.k8s.io/e2e-test-images/agnhost:2.{version}
          args: ["netexec", "--http-port=8080"]
          ports:
            - name: http
              containerPort: 8080
          resources:
            requests:
              cpu: {cpu}m
              memory: {memory}Mi
            limits:
              cpu: "1"
              memory: 512Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 5
          livenessProbe:
            tcpSocket:
              port: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-settings
data:
  mode: fast
  replicas: "{replicas}"
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: {name}
"""
RESOURCES_PER_FILE = 4
FILES_PER_FOLDER = 10


def write_corpus(root: Path, resources: int) -> list[Path]:
    """At least `resources` resources in files of four, ten files per folder."""
    files: list[Path] = []
    for number in range(-(-resources // RESOURCES_PER_FILE)):
        folder = root / f"set-{number // FILES_PER_FOLDER:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"app-{number:05d}.yaml"
        path.write_text(APP.format(name=f"app-{number}", replicas=1 + number % 5,
                                   version=40 + number % 10, cpu=100 + number % 400,
                                   memory=64 + number % 256))
        files.append(path)
    return files
