# BCE + L_AVM-AV (lambda = 0.5, all four stages): the paper's MS3 model.
_base_ = './tpavi_r50_1xb4-30e_avsbench-ms3-224x224.py'
model = dict(
    av_loss=dict(
        type='AVMLoss', mode='av', stages=(0, 1, 2, 3), loss_weight=0.5))
