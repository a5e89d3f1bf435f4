"""`deepdive lab`: Istio traffic examples run on a real Envoy, from the site's own manifests.

catalog    which labs exist and the manifest files each reads
fields     the manifest fields the translator understands (anything else is an error)
mesh       loaded manifests -> a small model of the mesh (services, pods, rules)
translate  pure: the model -> Envoy bootstrap configuration, with istiod's names and defaults
expect     pure: what the manifests say traffic should do (shares, limits, counts)
workloads  small local servers standing in for the sample images
envoy      where the Envoy binary is
runner     owns processes and ports: Envoy + workloads, stats, stop everything
traffic    the traffic each kind of lab sends, and its checks against the expectations
observe    /stats/prometheus -> per-version metrics, a service graph (SVG), the PromQL
session    runs a lab's scenarios; command: the `deepdive lab` subcommand
report     results as data; terminal table and JSON renderers
"""
