#!/usr/bin/env python3
"""Writes zoo/<model>.shapes.json, the parameter shapes of the Caffe2 model zoo's predict nets.

The zoo ships its predict nets without weights. This script gives every parameter blob of each net its dims:

- the output channels of every Conv and the full shape of every FC weight are the published architecture's
  (the tables below, with their sources);
- everything else follows from the predict net itself, op by op: a Conv's input channels are the channels of the
  blob it reads (divided by its group), its kernel is the op's `kernel` argument, a bias has the output channels,
  SpatialBN's scale, bias, mean and variance and the per-channel Mul and Add operands after it have the channels of
  the blob they apply to.

Run it with the zoo's directory, or let it find the zoo as the tests do ($ZEROG_ZOO, else shared/caffe2-model-zoo
in or above the repository):

    python3 zoo/make_shapes.py [ZOO_DIR]

Only the Python standard library is needed. The Java test ZooShapesTest checks every file against its net by
shape inference.
"""

import json
import math
import os
import re
import sys


def parse_pbtxt(path):
    """The ops of a NetDef in protobuf text format: a list of dicts with type, inputs, outputs, args."""
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|[{}:]|[^\s{}:]+', open(path).read())
    pos = 0

    def block():
        nonlocal pos
        fields = []
        while pos < len(tokens):
            tok = tokens[pos]
            if tok == '}':
                pos += 1
                return fields
            name = tok
            pos += 1
            if tokens[pos] == ':':
                pos += 1
            if tokens[pos] == '{':
                pos += 1
                fields.append((name, block()))
            else:
                fields.append((name, tokens[pos].strip('"')))
                pos += 1
        return fields

    ops = []
    for key, value in block():
        if key != 'op':
            continue
        op = {'type': None, 'inputs': [], 'outputs': [], 'args': {}}
        for k, v in value:
            if k == 'type':
                op['type'] = v
            elif k == 'input':
                op['inputs'].append(v)
            elif k == 'output':
                op['outputs'].append(v)
            elif k == 'arg':
                name = [x for a, x in v if a == 'name'][0]
                values = [x for a, x in v if a in ('i', 'f', 's', 'ints')]
                op['args'][name] = values[0] if len(values) == 1 else values
        ops.append(op)
    return ops


# ---------------------------------------------------------------------------------------------------------------
# The published architectures: output channels of each Conv (by weight blob), full shape of each FC weight.
# ---------------------------------------------------------------------------------------------------------------

def alexnet():
    # BVLC AlexNet, models/bvlc_alexnet/deploy.prototxt (Krizhevsky et al. 2012): conv1 96 11x11/4, conv2 256 5x5
    # group 2, conv3 384, conv4 384 group 2, conv5 256 group 2; fc6 4096 over 256x6x6, fc7 4096, fc8 1000.
    conv = {'conv1_w': 96, 'conv2_w': 256, 'conv3_w': 384, 'conv4_w': 384, 'conv5_w': 256}
    fc = {'fc6_w': [4096, 9216], 'fc7_w': [4096, 4096], 'fc8_w': [1000, 4096]}
    return conv, fc, ("BVLC AlexNet deploy.prototxt (Krizhevsky et al. 2012): conv 96-256-384-384-256 (conv2, "
                      "conv4, conv5 in 2 groups), fc 4096-4096-1000")


def zfnet512():
    # ZFNet-512 as Caffe2 trained it (the ONNX model zoo's zfnet512, converted from this net, has the same
    # weights): conv 96 7x7/2, 256 5x5/2, then three 3x3 convs of 512; fc6 4096 over 512x6x6, fc7 1024, fc8 1000.
    # Its parameters (87.3 million) match the 349 MB of that model.
    p = 'gpu_0/'
    conv = {p + 'conv1_w': 96, p + 'conv2_w': 256, p + 'conv3_w': 512, p + 'conv4_w': 512, p + 'conv5_w': 512}
    fc = {p + 'fc6_w': [4096, 18432], p + 'fc7_w': [1024, 4096], p + 'fc8_w': [1000, 1024]}
    return conv, fc, ("Caffe2's ZFNet-512 (Zeiler and Fergus 2013, as trained by Caffe2; the ONNX model zoo's "
                      "zfnet512 has the same weights): conv 96-256-512-512-512, fc 4096-1024-1000")


def vgg19():
    # VGG-19 (Simonyan and Zisserman 2014), the authors' VGG_ILSVRC_19_layers_deploy.prototxt: 3x3 convs
    # 64,64 | 128,128 | 256 x4 | 512 x4 | 512 x4; fc6 4096 over 512x7x7, fc7 4096, fc8 1000.
    widths = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}
    counts = {1: 2, 2: 2, 3: 4, 4: 4, 5: 4}
    conv = {}
    for stage in range(1, 6):
        for i in range(1, counts[stage] + 1):
            conv['conv%d_%d_w' % (stage, i)] = widths[stage]
    fc = {'fc6_w': [4096, 25088], 'fc7_w': [4096, 4096], 'fc8_w': [1000, 4096]}
    return conv, fc, ("VGG_ILSVRC_19_layers_deploy.prototxt (Simonyan and Zisserman 2014): 3x3 conv 64x2, 128x2, "
                      "256x4, 512x4, 512x4; fc 4096-4096-1000")


# Inception modules: 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection.
GOOGLENET = {
    '3a': (64, 96, 128, 16, 32, 32), '3b': (128, 128, 192, 32, 96, 64),
    '4a': (192, 96, 208, 16, 48, 64), '4b': (160, 112, 224, 24, 64, 64), '4c': (128, 128, 256, 24, 64, 64),
    '4d': (112, 144, 288, 32, 64, 64), '4e': (256, 160, 320, 32, 128, 128),
    '5a': (256, 160, 320, 32, 128, 128), '5b': (384, 192, 384, 48, 128, 128),
}


def inception_v1():
    # GoogLeNet (Szegedy et al. 2014, table 1), BVLC models/bvlc_googlenet/deploy.prototxt. The classifier's
    # weight keeps Caffe's old 4-d blob shape [1, 1, 1000, 1024]: the predict net reads it with axis_w 3.
    conv = {'conv1/7x7_s2_w': 64, 'conv2/3x3_reduce_w': 64, 'conv2/3x3_w': 192}
    for name, widths in GOOGLENET.items():
        for branch, width in zip(('1x1', '3x3_reduce', '3x3', '5x5_reduce', '5x5', 'pool_proj'), widths):
            conv['inception_%s/%s_w' % (name, branch)] = width
    fc = {'loss3/classifier_w': [1, 1, 1000, 1024]}
    return conv, fc, ("BVLC GoogLeNet deploy.prototxt (Szegedy et al. 2014, table 1), without the auxiliary "
                      "classifiers; loss3/classifier in Caffe's 4-d blob shape")


# BN-Inception modules: 1x1, 3x3 reduce, 3x3, double 3x3 reduce, double 3x3 (a and b), pool projection;
# None where the module has no such branch (the stride-2 modules 3c and 4e).
BN_INCEPTION = {
    '3a': (64, 64, 64, 64, 96, 32), '3b': (64, 64, 96, 64, 96, 64), '3c': (None, 128, 160, 64, 96, None),
    '4a': (224, 64, 96, 96, 128, 128), '4b': (192, 96, 128, 96, 128, 128), '4c': (160, 128, 160, 128, 160, 96),
    '4d': (96, 128, 192, 160, 192, 96), '4e': (None, 128, 192, 192, 256, None),
    '5a': (352, 192, 320, 160, 224, 128), '5b': (352, 192, 320, 192, 224, 128),
}


def inception_v2():
    # BN-Inception (Ioffe and Szegedy 2015, figure 5): conv1 64 7x7/2, conv2 64 1x1 and 192 3x3, then the
    # modules above; fc 1000 over 1024.
    conv = {'conv1/7x7_s2_w': 64, 'conv2/3x3_reduce_w': 64, 'conv2/3x3_w': 192}
    for name, w in BN_INCEPTION.items():
        branches = (('1x1', w[0]), ('3x3_reduce', w[1]), ('3x3', w[2]), ('double3x3_reduce', w[3]),
                    ('double3x3a', w[4]), ('double3x3b', w[4]), ('pool_proj', w[5]))
        for branch, width in branches:
            if width is not None:
                conv['inception_%s/%s_w' % (name, branch)] = width
    fc = {'loss3/classifier_w': [1000, 1024]}
    return conv, fc, "BN-Inception (Ioffe and Szegedy 2015, figure 5), without the auxiliary classifiers"


def resnet50():
    # ResNet-50 (He et al. 2015, table 1; the authors' ResNet-50-deploy.prototxt): conv1 64 7x7/2; bottleneck
    # stages of 3, 4, 6, 3 blocks with 1x1 a, 3x3 a, 1x1 4a (a = 64, 128, 256, 512) and a 1x1 projection in each
    # stage's first block; fc 1000 over 2048.
    p = 'gpu_0/'
    conv = {p + 'conv1_w': 64}
    for stage, (blocks, width) in enumerate(((3, 64), (4, 128), (6, 256), (3, 512)), start=2):
        for b in range(blocks):
            base = p + 'res%d_%d_' % (stage, b)
            conv[base + 'branch2a_w'] = width
            conv[base + 'branch2b_w'] = width
            conv[base + 'branch2c_w'] = 4 * width
            if b == 0:
                conv[base + 'branch1_w'] = 4 * width
    fc = {p + 'pred_w': [1000, 2048]}
    return conv, fc, ("ResNet-50 (He et al. 2015, table 1; the authors' ResNet-50-deploy.prototxt): bottleneck "
                      "stages 3-4-6-3 of widths 64-128-256-512 (x4 out), fc 1000")


def densenet121():
    # DenseNet-121 (Huang et al. 2017, table 1; the authors' DenseNet_121.prototxt): conv1 64 7x7/2; dense blocks
    # of 6, 12, 24, 16 layers, each a 1x1 conv of 4k = 128 and a 3x3 conv of k = 32 (growth rate); transitions
    # halve the channels with a 1x1 conv; the classifier fc6 is a 1x1 conv of 1000 (with a bias).
    conv = {'conv1_w': 64}
    channels = 64
    for block, layers in zip((2, 3, 4, 5), (6, 12, 24, 16)):
        for i in range(1, layers + 1):
            conv['conv%d_%d/x1_w' % (block, i)] = 128
            conv['conv%d_%d/x2_w' % (block, i)] = 32
        channels += 32 * layers
        if block < 5:
            channels //= 2
            conv['conv%d_blk_w' % block] = channels
    conv['fc6_w'] = 1000
    return conv, {}, ("DenseNet-121 (Huang et al. 2017, table 1; the authors' DenseNet_121.prototxt): growth rate "
                      "32, bottleneck 128, blocks 6-12-24-16, compression 0.5, 1x1 conv classifier of 1000")


MODELS = {
    'bvlc_alexnet': alexnet, 'zfnet512': zfnet512, 'vgg19': vgg19, 'inception_v1': inception_v1,
    'inception_v2': inception_v2, 'resnet50': resnet50, 'densenet121': densenet121,
}


def kernel(op):
    args = op['args']
    if 'kernel' in args:
        return [int(args['kernel'])] * 2
    return [int(args['kernel_h']), int(args['kernel_w'])]


def shapes_of(model, ops, data_input):
    conv_out, fc_shapes, source = MODELS[model]()
    channels = {data_input: 3}
    params = {}
    for op in ops:
        t, ins, outs = op['type'], op['inputs'], op['outputs']
        c = channels.get(ins[0]) if ins else None
        if t == 'Conv':
            out = conv_out.pop(ins[1])
            group = int(op['args'].get('group', 1))
            params[ins[1]] = [out, c // group] + kernel(op)
            if len(ins) > 2:
                params[ins[2]] = [out]
            channels[outs[0]] = out
        elif t == 'FC':
            w = fc_shapes.pop(ins[1])
            params[ins[1]] = w
            params[ins[2]] = [w[-2]]
            channels[outs[0]] = w[-2]
        elif t == 'SpatialBN':
            for p in ins[1:5]:
                params[p] = [c]
            channels[outs[0]] = c
        elif t in ('Mul', 'Add') and ins[1] not in channels:
            params[ins[1]] = [c]
            channels[outs[0]] = c
        elif t == 'Concat':
            channels[outs[0]] = sum(channels[i] for i in ins)
        else:
            channels[outs[0]] = c
    if conv_out or fc_shapes:
        raise SystemExit('%s: the table names weights the net does not read: %s'
                         % (model, sorted(list(conv_out) + list(fc_shapes))))
    return params, source


def write(model, params, source, path):
    lines = ['{', '  "model": %s,' % json.dumps(model), '  "source": %s,' % json.dumps(source),
             '  "parameters": {']
    items = list(params.items())
    for k, (name, dims) in enumerate(items):
        lines.append('    %s: %s%s' % (json.dumps(name), json.dumps(dims), ',' if k + 1 < len(items) else ''))
    lines += ['  }', '}', '']
    with open(path, 'w') as f:
        f.write('\n'.join(lines))


def find_zoo(here):
    if os.environ.get('ZEROG_ZOO'):
        return os.environ['ZEROG_ZOO']
    d = here
    while True:
        candidate = os.path.join(d, 'shared', 'caffe2-model-zoo')
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(d)
        if parent == d:
            raise SystemExit('the Caffe2 model zoo was not found: pass its directory or set ZEROG_ZOO')
        d = parent


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    zoo = sys.argv[1] if len(sys.argv) > 1 else find_zoo(here)
    for model in sorted(MODELS):
        net = os.path.join(zoo, model, 'predict_net.pbtxt')
        data_input = list(json.load(open(os.path.join(zoo, model, 'value_info.json'))))[0]
        params, source = shapes_of(model, parse_pbtxt(net), data_input)
        out = os.path.join(here, model + '.shapes.json')
        write(model, params, source, out)
        count = sum(math.prod(d) for d in params.values())
        print('%s: %d parameters, %.1f million values -> %s' % (model, len(params), count / 1e6, out))


if __name__ == '__main__':
    main()
